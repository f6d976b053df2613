<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * Counts of a forced customer password reset.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface PasswordResetResultInterface
{
    public const KEY_ACTION_ID = 'action_id';
    public const KEY_REPLAYED = 'replayed';
    public const KEY_CUSTOMERS = 'customers';
    public const KEY_UNKNOWN_CUSTOMER_IDS = 'unknown_customer_ids';
    public const KEY_PASSWORDS_INVALIDATED = 'passwords_invalidated';
    public const KEY_TOKENS_REVOKED = 'tokens_revoked';
    public const KEY_SESSIONS_CUT_OFF = 'sessions_cut_off';
    public const KEY_PERSISTENT_SESSIONS_DELETED = 'persistent_sessions_deleted';
    public const KEY_EMAILS_ATTEMPTED = 'emails_attempted';
    public const KEY_EMAILS_FAILED = 'emails_failed';

    /**
     * @return int
     */
    public function getActionId(): int;

    /**
     * @return bool
     */
    public function isReplayed(): bool;

    /**
     * @return int
     */
    public function getCustomers(): int;

    /**
     * @return int[]
     */
    public function getUnknownCustomerIds(): array;

    /**
     * @return int
     */
    public function getPasswordsInvalidated(): int;

    /**
     * @return int
     */
    public function getTokensRevoked(): int;

    /**
     * @return int
     */
    public function getSessionsCutOff(): int;

    /**
     * @return int
     */
    public function getPersistentSessionsDeleted(): int;

    /**
     * @return int
     */
    public function getEmailsAttempted(): int;

    /**
     * @return int[]
     */
    public function getEmailsFailed(): array;
}
