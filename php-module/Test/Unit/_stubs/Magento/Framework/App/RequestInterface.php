<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\App\RequestInterface, used only when Magento is not installed.

namespace Magento\Framework\App;

interface RequestInterface
{
    public function getModuleName();

    public function getActionName();

    public function getParam($key, $defaultValue = null);

    public function getParams();

    public function isSecure();
}
