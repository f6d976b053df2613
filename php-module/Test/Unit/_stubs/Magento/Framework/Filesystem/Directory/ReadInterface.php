<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\Filesystem\Directory\ReadInterface, used only when Magento is not installed.

namespace Magento\Framework\Filesystem\Directory;

interface ReadInterface
{
    public function isExist($path = null);

    public function readFile($path, $flag = null, $context = null);
}
