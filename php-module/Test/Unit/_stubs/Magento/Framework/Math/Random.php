<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\Math\Random, used only when Magento is not installed.

namespace Magento\Framework\Math;

class Random
{
    public function getRandomString($length, $chars = null)
    {
        return bin2hex(random_bytes((int) ceil($length / 2)));
    }
}
