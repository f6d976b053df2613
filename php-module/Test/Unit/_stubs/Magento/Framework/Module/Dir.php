<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\Module\Dir, used only when Magento is not installed.

namespace Magento\Framework\Module;

class Dir
{
    public const MODULE_ETC_DIR = 'etc';
    public const MODULE_VIEW_DIR = 'view';

    public function getDir($moduleName, $type = '')
    {
        return dirname(__DIR__, 6) . ($type === '' ? '' : '/' . $type);
    }
}
