<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\App\MaintenanceMode, used only when Magento is not installed.

namespace Magento\Framework\App;

class MaintenanceMode
{
    public function isOn($remoteAddr = '')
    {
        return false;
    }

    public function set($isOn)
    {
        return true;
    }

    public function setAddresses($addresses)
    {
        return true;
    }

    public function getAddressInfo()
    {
        return [];
    }
}
