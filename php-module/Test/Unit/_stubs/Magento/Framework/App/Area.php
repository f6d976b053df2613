<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\App\Area, used only when Magento is not installed.

namespace Magento\Framework\App;

class Area
{
    const AREA_FRONTEND = 'frontend';
    const AREA_ADMINHTML = 'adminhtml';
}
