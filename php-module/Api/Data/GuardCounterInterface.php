<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * How often one payment-guard rule refused an order placement (kept after the rule is removed).
 */
interface GuardCounterInterface
{
    public const KEY_RULE_ID = 'rule_id';
    public const KEY_RULE_TYPE = 'rule_type';
    public const KEY_BLOCKED = 'blocked';
    public const KEY_FIRST_BLOCKED_AT = 'first_blocked_at';
    public const KEY_LAST_BLOCKED_AT = 'last_blocked_at';

    /**
     * @return int
     */
    public function getRuleId(): int;

    /**
     * ip, email, customer, bin, freeze or velocity.
     *
     * @return string
     */
    public function getRuleType(): string;

    /**
     * Order placements the rule refused.
     *
     * @return int
     */
    public function getBlocked(): int;

    /**
     * First refusal (UTC).
     *
     * @return string
     */
    public function getFirstBlockedAt(): string;

    /**
     * Latest refusal (UTC).
     *
     * @return string
     */
    public function getLastBlockedAt(): string;
}
