<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Sales\Api\OrderManagementInterface, used only when Magento is not installed.

namespace Magento\Sales\Api;

interface OrderManagementInterface
{
    public function hold($id);

    public function unHold($id);

    public function place(\Magento\Sales\Api\Data\OrderInterface $order);
}
