<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\Webapi\Exception, used only when Magento is not installed.

namespace Magento\Framework\Webapi;

use Magento\Framework\Exception\LocalizedException;
use Magento\Framework\Phrase;

class Exception extends LocalizedException
{
    public const HTTP_BAD_REQUEST = 400;

    protected $_httpCode;

    public function __construct(Phrase $phrase, $code = 0, $httpCode = self::HTTP_BAD_REQUEST)
    {
        parent::__construct($phrase, null, $code);
        $this->_httpCode = $httpCode;
    }

    public function getHttpCode()
    {
        return $this->_httpCode;
    }
}
