<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\Setup\Patch\DataPatchInterface, used only when Magento is not installed.

namespace Magento\Framework\Setup\Patch;

interface DataPatchInterface
{
    public static function getDependencies();

    public function getAliases();

    public function apply();
}
