<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\Phrase, used only when Magento is not installed.

namespace Magento\Framework;

class Phrase implements \JsonSerializable
{
    /**
     * @param array<int|string, mixed> $arguments
     */
    public function __construct(private string $text, private array $arguments = [])
    {
    }

    public function getText(): string
    {
        return $this->text;
    }

    /**
     * @return array<int|string, mixed>
     */
    public function getArguments(): array
    {
        return $this->arguments;
    }

    public function render(): string
    {
        $replacements = [];
        foreach ($this->arguments as $key => $value) {
            $replacements['%' . (is_int($key) ? $key + 1 : $key)] = (string) $value;
        }
        return strtr($this->text, $replacements);
    }

    public function __toString(): string
    {
        return $this->render();
    }

    public function jsonSerialize(): mixed
    {
        return $this->render();
    }
}
