<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * Outcome of an admin lockdown.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface AdminLockdownResultInterface
{
    public const KEY_ACTION_ID = 'action_id';
    public const KEY_REPLAYED = 'replayed';
    public const KEY_LOCKDOWN_ID = 'lockdown_id';
    public const KEY_MODE = 'mode';
    public const KEY_ADMIN_IDS = 'admin_ids';
    public const KEY_KEPT_ADMIN_IDS = 'kept_admin_ids';
    public const KEY_INTEGRATION_IDS = 'integration_ids';
    public const KEY_KEPT_INTEGRATION_IDS = 'kept_integration_ids';
    public const KEY_ADMIN_SESSIONS_ENDED = 'admin_sessions_ended';
    public const KEY_ADMIN_TOKENS_REVOKED = 'admin_tokens_revoked';

    /**
     * @return int
     */
    public function getActionId(): int;

    /**
     * @return bool
     */
    public function isReplayed(): bool;

    /**
     * @return int|null
     */
    public function getLockdownId(): ?int;

    /**
     * @return string
     */
    public function getMode(): string;

    /**
     * @return int[]
     */
    public function getAdminIds(): array;

    /**
     * @return int[]
     */
    public function getKeptAdminIds(): array;

    /**
     * @return int[]
     */
    public function getIntegrationIds(): array;

    /**
     * @return int[]
     */
    public function getKeptIntegrationIds(): array;

    /**
     * @return int
     */
    public function getAdminSessionsEnded(): int;

    /**
     * @return int
     */
    public function getAdminTokensRevoked(): int;
}
