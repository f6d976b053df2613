<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\App\DeploymentConfig, used only when Magento is not installed.

namespace Magento\Framework\App;

class DeploymentConfig
{
    public function get($key = null, $defaultValue = null)
    {
        return $defaultValue;
    }
}
