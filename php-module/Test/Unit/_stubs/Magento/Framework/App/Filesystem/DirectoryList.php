<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\App\Filesystem\DirectoryList, used only when Magento is not installed.

namespace Magento\Framework\App\Filesystem;

class DirectoryList
{
    public const VAR_DIR = 'var';

    public function __construct(private $root = '/')
    {
    }

    public function getRoot()
    {
        return $this->root;
    }
}
