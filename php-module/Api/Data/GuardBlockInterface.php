<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * One order attempt the payment guard refused (never card data).
 */
interface GuardBlockInterface
{
    public const KEY_BLOCK_ID = 'block_id';
    public const KEY_CREATED_AT = 'created_at';
    public const KEY_RULE_ID = 'rule_id';
    public const KEY_RULE_TYPE = 'rule_type';
    public const KEY_CHANNEL = 'channel';
    public const KEY_IP = 'ip';
    public const KEY_EMAIL = 'email';
    public const KEY_CUSTOMER_ID = 'customer_id';
    public const KEY_QUOTE_ID = 'quote_id';
    public const KEY_METHOD = 'method';

    /**
     * @return int
     */
    public function getBlockId(): int;

    /**
     * @return string
     */
    public function getCreatedAt(): string;

    /**
     * @return int
     */
    public function getRuleId(): int;

    /**
     * @return string
     */
    public function getRuleType(): string;

    /**
     * Magento area the attempt came through: webapi_rest (also the storefront checkout), graphql, frontend.
     *
     * @return string
     */
    public function getChannel(): string;

    /**
     * @return string|null
     */
    public function getIp(): ?string;

    /**
     * @return string|null
     */
    public function getEmail(): ?string;

    /**
     * @return int|null
     */
    public function getCustomerId(): ?int;

    /**
     * @return int|null
     */
    public function getQuoteId(): ?int;

    /**
     * Payment method code of the attempt.
     *
     * @return string|null
     */
    public function getMethod(): ?string;
}
