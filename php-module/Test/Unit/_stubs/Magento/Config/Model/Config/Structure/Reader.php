<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Config\Model\Config\Structure\Reader, used only when Magento is not installed.

namespace Magento\Config\Model\Config\Structure;

class Reader
{
    public function read($scope = null)
    {
        return [];
    }
}
