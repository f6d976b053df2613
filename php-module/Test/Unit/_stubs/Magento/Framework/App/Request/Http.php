<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\App\Request\Http, used only when Magento is not installed.

namespace Magento\Framework\App\Request;

use Magento\Framework\App\RequestInterface;
use Magento\Framework\HTTP\PhpEnvironment\Request;

class Http extends Request implements RequestInterface
{
    public function getModuleName()
    {
        return '';
    }

    public function getActionName()
    {
        return '';
    }

    public function getParam($key, $defaultValue = null)
    {
        return $defaultValue;
    }

    public function getParams()
    {
        return [];
    }

    public function isSecure()
    {
        return true;
    }
}
