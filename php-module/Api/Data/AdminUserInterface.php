<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * One admin_user row, without password, rp_token or any other secret.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface AdminUserInterface
{
    public const KEY_USER_ID = 'user_id';
    public const KEY_USERNAME = 'username';
    public const KEY_EMAIL = 'email';
    public const KEY_FIRSTNAME = 'firstname';
    public const KEY_LASTNAME = 'lastname';
    public const KEY_IS_ACTIVE = 'is_active';
    public const KEY_LOCK_EXPIRES = 'lock_expires';
    public const KEY_FAILURES_NUM = 'failures_num';
    public const KEY_LOGDATE = 'logdate';
    public const KEY_LOGNUM = 'lognum';
    public const KEY_CREATED = 'created';
    public const KEY_MODIFIED = 'modified';
    public const KEY_ROLE_ID = 'role_id';
    public const KEY_ROLE_NAME = 'role_name';

    /**
     * @return int
     */
    public function getUserId(): int;

    /**
     * @return string
     */
    public function getUsername(): string;

    /**
     * @return string
     */
    public function getEmail(): string;

    /**
     * @return string
     */
    public function getFirstname(): string;

    /**
     * @return string
     */
    public function getLastname(): string;

    /**
     * @return bool
     */
    public function getIsActive(): bool;

    /**
     * Locked until (UTC); null when not locked.
     *
     * @return string|null
     */
    public function getLockExpires(): ?string;

    /**
     * Failed logins since the last success.
     *
     * @return int
     */
    public function getFailuresNum(): int;

    /**
     * Last login (UTC); null if never.
     *
     * @return string|null
     */
    public function getLogdate(): ?string;

    /**
     * Number of logins.
     *
     * @return int
     */
    public function getLognum(): int;

    /**
     * @return string
     */
    public function getCreated(): string;

    /**
     * Null when never modified.
     *
     * @return string|null
     */
    public function getModified(): ?string;

    /**
     * Role group id; null when the user has none.
     *
     * @return int|null
     */
    public function getRoleId(): ?int;

    /**
     * Role name; null when the user has none.
     *
     * @return string|null
     */
    public function getRoleName(): ?string;
}
