<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\Exception\LocalizedException, used only when Magento is not installed.

namespace Magento\Framework\Exception;

use Magento\Framework\Phrase;

class LocalizedException extends \Exception
{
    public function __construct(protected Phrase $phrase, ?\Exception $cause = null, $code = 0)
    {
        parent::__construct($phrase->render(), (int) $code, $cause);
    }

    public function getRawMessage(): string
    {
        return $this->phrase->getText();
    }

    /**
     * @return array<int|string, mixed>
     */
    public function getParameters(): array
    {
        return $this->phrase->getArguments();
    }
}
