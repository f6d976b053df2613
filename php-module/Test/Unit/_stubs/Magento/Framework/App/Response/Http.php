<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\App\Response\Http, used only when Magento is not installed.

namespace Magento\Framework\App\Response;

class Http
{
    private int $code = 200;
    /** @var array<string, string> */
    private array $headers = [];
    private string $body = '';

    public function setHttpResponseCode($code)
    {
        $this->code = (int) $code;
        return $this;
    }

    public function getHttpResponseCode()
    {
        return $this->code;
    }

    public function setHeader($name, $value, $replace = false)
    {
        $this->headers[strtolower((string) $name)] = (string) $value;
        return $this;
    }

    /**
     * Like Magento's: the header object (here with only getFieldValue()), or false.
     */
    public function getHeader($name)
    {
        $value = $this->headers[strtolower((string) $name)] ?? null;
        if ($value === null) {
            return false;
        }
        return new class ($value) {
            public function __construct(private string $value)
            {
            }

            public function getFieldValue()
            {
                return $this->value;
            }
        };
    }

    public function setBody($value)
    {
        $this->body = (string) $value;
        return $this;
    }

    public function getBody()
    {
        return $this->body;
    }
}
