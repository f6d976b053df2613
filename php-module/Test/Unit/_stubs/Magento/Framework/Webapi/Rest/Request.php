<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\Webapi\Rest\Request, used only when Magento is not installed.

namespace Magento\Framework\Webapi\Rest;

class Request
{
    public function getPathInfo()
    {
        return '';
    }

    public function getHeader($header, $default = false)
    {
        return $default;
    }

    public function getContent()
    {
        return '';
    }

    public function getBodyParams()
    {
        return [];
    }
}
