<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * One integration row, without consumer key, secret or tokens.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface IntegrationInterface
{
    public const KEY_INTEGRATION_ID = 'integration_id';
    public const KEY_NAME = 'name';
    public const KEY_EMAIL = 'email';
    public const KEY_ENDPOINT = 'endpoint';
    public const KEY_STATUS = 'status';
    public const KEY_SETUP_TYPE = 'setup_type';
    public const KEY_CREATED_AT = 'created_at';
    public const KEY_UPDATED_AT = 'updated_at';
    public const KEY_CONSUMER_CREATED_AT = 'consumer_created_at';

    /**
     * @return int
     */
    public function getIntegrationId(): int;

    /**
     * @return string
     */
    public function getName(): string;

    /**
     * Null when empty.
     *
     * @return string|null
     */
    public function getEmail(): ?string;

    /**
     * Null when empty.
     *
     * @return string|null
     */
    public function getEndpoint(): ?string;

    /**
     * 0 inactive, 1 active, 2 recreated.
     *
     * @return int
     */
    public function getStatus(): int;

    /**
     * 0 admin, 1 module config.
     *
     * @return int
     */
    public function getSetupType(): int;

    /**
     * @return string
     */
    public function getCreatedAt(): string;

    /**
     * @return string
     */
    public function getUpdatedAt(): string;

    /**
     * When its OAuth consumer was created; null when none.
     *
     * @return string|null
     */
    public function getConsumerCreatedAt(): ?string;
}
