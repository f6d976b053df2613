<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\HTTP\PhpEnvironment\RemoteAddress, used only when Magento is not installed.

namespace Magento\Framework\HTTP\PhpEnvironment;

class RemoteAddress
{
    public function getRemoteAddress(bool $ipToLong = false)
    {
        return false;
    }
}
