<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\Filesystem, used only when Magento is not installed.

namespace Magento\Framework;

use Magento\Framework\Filesystem\Directory\ReadInterface;
use Magento\Framework\Filesystem\Directory\WriteInterface;

class Filesystem
{
    public function getDirectoryRead($directoryCode, $driverCode = 'file'): ReadInterface
    {
        throw new \LogicException('Mock Filesystem in unit tests.');
    }

    public function getDirectoryWrite($directoryCode, $driverCode = 'file'): WriteInterface
    {
        throw new \LogicException('Mock Filesystem in unit tests.');
    }
}
