<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\GuardRuleListInterface;

/**
 * The payment-guard rules in force.
 */
final class GuardRuleList implements GuardRuleListInterface
{
    /**
     * @param GuardRule[] $items
     */
    public function __construct(private readonly array $items)
    {
    }

    /**
     * @param array<string, mixed> $data the wire shape
     */
    public static function fromArray(array $data): self
    {
        return new self(array_map([GuardRule::class, 'fromArray'], $data[self::KEY_ITEMS]));
    }

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\GuardRuleInterface[]
     */
    public function getItems(): array
    {
        return $this->items;
    }
}
