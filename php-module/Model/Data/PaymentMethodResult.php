<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\PaymentMethodResultInterface;

/**
 * What a suspension or resumption did to one payment method.
 */
final class PaymentMethodResult implements PaymentMethodResultInterface
{
    /**
     * @param ConfigScopeValue[] $changed
     * @param ConfigScopeValue[] $locked
     */
    public function __construct(
        private readonly string $method,
        private readonly string $result,
        private readonly array $changed,
        private readonly array $locked
    ) {
    }

    /**
     * @return string
     */
    public function getMethod(): string
    {
        return $this->method;
    }

    /**
     * @return string
     */
    public function getResult(): string
    {
        return $this->result;
    }

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\ConfigScopeValueInterface[]
     */
    public function getChanged(): array
    {
        return $this->changed;
    }

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\ConfigScopeValueInterface[]
     */
    public function getLocked(): array
    {
        return $this->locked;
    }

    /**
     * Rebuilds the object from toArray() output (stored idempotent responses).
     *
     * @param array<string, mixed> $data
     */
    public static function fromArray(array $data): self
    {
        return new self(
            method: (string) $data[self::KEY_METHOD],
            result: (string) $data[self::KEY_RESULT],
            changed: array_map([ConfigScopeValue::class, 'fromArray'], $data[self::KEY_CHANGED]),
            locked: array_map([ConfigScopeValue::class, 'fromArray'], $data[self::KEY_LOCKED])
        );
    }

    /**
     * The REST wire shape: snake_case keys, null values omitted.
     *
     * @return array<string, mixed>
     */
    public function toArray(): array
    {
        $data = [
            self::KEY_METHOD => $this->method,
            self::KEY_RESULT => $this->result,
            self::KEY_CHANGED => array_map(
                static fn (ConfigScopeValue $item): array => $item->toArray(),
                $this->changed
            ),
            self::KEY_LOCKED => array_map(static fn (ConfigScopeValue $item): array => $item->toArray(), $this->locked),
        ];
        return $data;
    }
}
