<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\Encryption\EncryptorInterface, used only when Magento is not installed.

namespace Magento\Framework\Encryption;

interface EncryptorInterface
{
    public function getHash($password, $salt = false);

    public function hash($data);

    public function validateHash($password, $hash);
}
