<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\App\Config\ReinitableConfigInterface, used only when Magento is not installed.

namespace Magento\Framework\App\Config;

interface ReinitableConfigInterface extends ScopeConfigInterface
{
    public function reinit();
}
