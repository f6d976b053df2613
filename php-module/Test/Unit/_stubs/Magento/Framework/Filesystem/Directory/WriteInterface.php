<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\Filesystem\Directory\WriteInterface, used only when Magento is not installed.

namespace Magento\Framework\Filesystem\Directory;

interface WriteInterface extends ReadInterface
{
    public function delete($path = null);

    public function writeFile($path, $content, $mode = 'w+');
}
