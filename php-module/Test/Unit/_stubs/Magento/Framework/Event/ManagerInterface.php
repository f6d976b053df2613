<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\Event\ManagerInterface, used only when Magento is not installed.

namespace Magento\Framework\Event;

interface ManagerInterface
{
    public function dispatch($eventName, array $data = []);
}
