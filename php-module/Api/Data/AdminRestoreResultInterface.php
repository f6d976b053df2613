<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * Outcome of restoring a lockdown.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface AdminRestoreResultInterface
{
    public const KEY_ACTION_ID = 'action_id';
    public const KEY_REPLAYED = 'replayed';
    public const KEY_LOCKDOWN_ID = 'lockdown_id';
    public const KEY_ADMIN_IDS = 'admin_ids';
    public const KEY_INTEGRATION_IDS = 'integration_ids';
    public const KEY_INTEGRATION_TOKENS = 'integration_tokens';
    public const KEY_REISSUED_INTEGRATION_IDS = 'reissued_integration_ids';
    public const KEY_REVIVED_INTEGRATION_IDS = 'revived_integration_ids';

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
    public function getLockdownId(): int;

    /**
     * @return int[]
     */
    public function getAdminIds(): array;

    /**
     * @return int[]
     */
    public function getIntegrationIds(): array;

    /**
     * How the integrations' revoked access tokens were handled: "reissue" or "revive".
     *
     * @return string
     */
    public function getIntegrationTokens(): string;

    /**
     * Integrations given a new access token (the revoked ones stay dead).
     *
     * @return int[]
     */
    public function getReissuedIntegrationIds(): array;

    /**
     * Integrations whose old, revoked access tokens work again.
     *
     * @return int[]
     */
    public function getRevivedIntegrationIds(): array;
}
