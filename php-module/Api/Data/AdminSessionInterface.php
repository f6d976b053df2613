<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * One admin_user_session row.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface AdminSessionInterface
{
    public const KEY_ID = 'id';
    public const KEY_USER_ID = 'user_id';
    public const KEY_STATUS = 'status';
    public const KEY_CREATED_AT = 'created_at';
    public const KEY_UPDATED_AT = 'updated_at';
    public const KEY_IP = 'ip';

    /**
     * @return int
     */
    public function getId(): int;

    /**
     * @return int
     */
    public function getUserId(): int;

    /**
     * 0 logged out, 1 logged in, 2 logged out by another login, 3 logged out manually.
     *
     * @return int
     */
    public function getStatus(): int;

    /**
     * @return string
     */
    public function getCreatedAt(): string;

    /**
     * Last request of the session.
     *
     * @return string
     */
    public function getUpdatedAt(): string;

    /**
     * Remote address at login; null when empty.
     *
     * @return string|null
     */
    public function getIp(): ?string;
}
