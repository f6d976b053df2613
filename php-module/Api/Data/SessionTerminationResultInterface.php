<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * Counts of what a session termination revoked and ended.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface SessionTerminationResultInterface
{
    public const KEY_ACTION_ID = 'action_id';
    public const KEY_REPLAYED = 'replayed';
    public const KEY_SCOPE = 'scope';
    public const KEY_CUSTOMER_TOKENS_REVOKED = 'customer_tokens_revoked';
    public const KEY_ADMIN_TOKENS_REVOKED = 'admin_tokens_revoked';
    public const KEY_ADMIN_SESSIONS_ENDED = 'admin_sessions_ended';
    public const KEY_CUSTOMER_SESSIONS_CUT_OFF = 'customer_sessions_cut_off';
    public const KEY_SESSION_ROWS_DELETED = 'session_rows_deleted';
    public const KEY_PERSISTENT_SESSIONS_DELETED = 'persistent_sessions_deleted';
    public const KEY_CALLER_KEPT = 'caller_kept';

    /**
     * @return int
     */
    public function getActionId(): int;

    /**
     * @return bool
     */
    public function isReplayed(): bool;

    /**
     * @return string
     */
    public function getScope(): string;

    /**
     * @return int
     */
    public function getCustomerTokensRevoked(): int;

    /**
     * @return int
     */
    public function getAdminTokensRevoked(): int;

    /**
     * @return int
     */
    public function getAdminSessionsEnded(): int;

    /**
     * @return int
     */
    public function getCustomerSessionsCutOff(): int;

    /**
     * @return int
     */
    public function getSessionRowsDeleted(): int;

    /**
     * @return int
     */
    public function getPersistentSessionsDeleted(): int;

    /**
     * @return bool
     */
    public function isCallerKept(): bool;
}
