<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\App\State, used only when Magento is not installed.

namespace Magento\Framework\App;

class State
{
    public function getAreaCode()
    {
        return 'webapi_rest';
    }
}
