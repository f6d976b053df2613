<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\App\FrontControllerInterface, used only when Magento is not installed.

namespace Magento\Framework\App;

interface FrontControllerInterface
{
    public function dispatch(RequestInterface $request);
}
