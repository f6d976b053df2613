<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * One payment-guard rule, as the order-placement plugin applies it.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface GuardRuleInterface
{
    public const KEY_RULE_ID = 'rule_id';
    public const KEY_TYPE = 'type';
    public const KEY_VALUES = 'values';
    public const KEY_SUBJECT = 'subject';
    public const KEY_METRIC = 'metric';
    public const KEY_LIMIT = 'limit';
    public const KEY_WINDOW = 'window';
    public const KEY_CREATED_AT = 'created_at';
    public const KEY_EXPIRES_AT = 'expires_at';
    public const KEY_REMOVED_AT = 'removed_at';
    public const KEY_INCIDENT_ID = 'incident_id';
    public const KEY_REASON = 'reason';
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
    public function getType(): string;

    /**
     * What the rule blocks (IPs and CIDRs, e-mails, customer ids, BINs, payment method codes); empty for velocity.
     *
     * @return string[]
     */
    public function getValues(): array;

    /**
     * Velocity: what is counted per (ip, email, customer or quote).
     *
     * @return string|null
     */
    public function getSubject(): ?string;

    /**
     * Velocity: orders or failures.
     *
     * @return string|null
     */
    public function getMetric(): ?string;

    /**
     * Velocity: the most attempts of the metric allowed per subject and window.
     *
     * @return int|null
     */
    public function getLimit(): ?int;

    /**
     * Velocity: the sliding window in seconds.
     *
     * @return int|null
     */
    public function getWindow(): ?int;

    /**
     * @return string
     */
    public function getCreatedAt(): string;

    /**
     * @return string|null
     */
    public function getExpiresAt(): ?string;

    /**
     * @return string|null
     */
    public function getRemovedAt(): ?string;

    /**
     * @return string|null
     */
    public function getIncidentId(): ?string;

    /**
     * @return string
     */
    public function getReason(): string;

    /**
     * Order attempts this rule has blocked.
     *
     * @return int
     */
    public function getBlocked(): int;

    /**
     * When the rule first refused a placement (UTC), if ever.
     *
     * @return string|null
     */
    public function getFirstBlockedAt(): ?string;

    /**
     * @return string|null
     */
    public function getLastBlockedAt(): ?string;
}
