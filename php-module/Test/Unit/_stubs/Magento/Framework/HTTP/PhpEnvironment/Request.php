<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\HTTP\PhpEnvironment\Request, used only when Magento is not installed.

namespace Magento\Framework\HTTP\PhpEnvironment;

class Request
{
    public function getHeader($name, $default = false)
    {
        return $default;
    }

    public function getPathInfo()
    {
        return '';
    }
}
