<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * Outcome of removing payment-guard rules: the rules as they were (to put them back), and unknown ids.
 */
interface GuardRemovalResultInterface
{
    public const KEY_ACTION_ID = 'action_id';
    public const KEY_REPLAYED = 'replayed';
    public const KEY_REMOVED = 'removed';
    public const KEY_NOT_FOUND = 'not_found';

    /**
     * @return int
     */
    public function getActionId(): int;

    /**
     * @return bool
     */
    public function isReplayed(): bool;

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\GuardRuleInterface[]
     */
    public function getRemoved(): array;

    /**
     * Ids that named no active rule.
     *
     * @return int[]
     */
    public function getNotFound(): array;
}
