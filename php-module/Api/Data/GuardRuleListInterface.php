<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * The payment-guard rules in force.
 */
interface GuardRuleListInterface
{
    public const KEY_ITEMS = 'items';

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\GuardRuleInterface[]
     */
    public function getItems(): array;
}
