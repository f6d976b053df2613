<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Catalog\Model\Product\Action, used only when Magento is not installed.

namespace Magento\Catalog\Model\Product;

class Action
{
    public function updateAttributes($productIds, $attrData, $storeId)
    {
        return $this;
    }
}
