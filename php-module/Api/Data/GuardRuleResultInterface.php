<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * Outcome of adding a payment-guard rule.
 */
interface GuardRuleResultInterface
{
    public const KEY_ACTION_ID = 'action_id';
    public const KEY_REPLAYED = 'replayed';
    public const KEY_RULE = 'rule';

    /**
     * @return int
     */
    public function getActionId(): int;

    /**
     * @return bool
     */
    public function isReplayed(): bool;

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\GuardRuleInterface
     */
    public function getRule(): GuardRuleInterface;
}
