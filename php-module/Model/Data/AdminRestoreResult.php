<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\AdminRestoreResultInterface;

/**
 * Outcome of restoring a lockdown.
 */
final class AdminRestoreResult implements AdminRestoreResultInterface
{
    /**
     * @param int[] $adminIds
     * @param int[] $integrationIds
     * @param int[] $reissuedIntegrationIds
     * @param int[] $revivedIntegrationIds
     */
    public function __construct(
        private readonly int $actionId,
        private readonly bool $replayed,
        private readonly int $lockdownId,
        private readonly array $adminIds,
        private readonly array $integrationIds,
        private readonly string $integrationTokens = 'revive',
        private readonly array $reissuedIntegrationIds = [],
        private readonly array $revivedIntegrationIds = []
    ) {
    }

    /**
     * @return int
     */
    public function getActionId(): int
    {
        return $this->actionId;
    }

    /**
     * @return bool
     */
    public function isReplayed(): bool
    {
        return $this->replayed;
    }

    /**
     * @return int
     */
    public function getLockdownId(): int
    {
        return $this->lockdownId;
    }

    /**
     * @return int[]
     */
    public function getAdminIds(): array
    {
        return $this->adminIds;
    }

    /**
     * @return int[]
     */
    public function getIntegrationIds(): array
    {
        return $this->integrationIds;
    }

    /**
     * @return string
     */
    public function getIntegrationTokens(): string
    {
        return $this->integrationTokens;
    }

    /**
     * @return int[]
     */
    public function getReissuedIntegrationIds(): array
    {
        return $this->reissuedIntegrationIds;
    }

    /**
     * @return int[]
     */
    public function getRevivedIntegrationIds(): array
    {
        return $this->revivedIntegrationIds;
    }

    /**
     * Rebuilds the object from toArray() output (stored idempotent responses).
     *
     * @param array<string, mixed> $data
     */
    public static function fromArray(array $data): self
    {
        return new self(
            actionId: (int) $data[self::KEY_ACTION_ID],
            replayed: (bool) $data[self::KEY_REPLAYED],
            lockdownId: (int) $data[self::KEY_LOCKDOWN_ID],
            adminIds: array_map('intval', $data[self::KEY_ADMIN_IDS]),
            integrationIds: array_map('intval', $data[self::KEY_INTEGRATION_IDS]),
            // Responses stored before the choice existed revived the tokens.
            integrationTokens: (string) ($data[self::KEY_INTEGRATION_TOKENS] ?? 'revive'),
            reissuedIntegrationIds: array_map('intval', $data[self::KEY_REISSUED_INTEGRATION_IDS] ?? []),
            revivedIntegrationIds: array_map('intval', $data[self::KEY_REVIVED_INTEGRATION_IDS] ?? [])
        );
    }

    /**
     * The REST wire shape: snake_case keys, null values omitted.
     *
     * @return array<string, mixed>
     */
    public function toArray(): array
    {
        $data = [
            self::KEY_ACTION_ID => $this->actionId,
            self::KEY_REPLAYED => $this->replayed,
            self::KEY_LOCKDOWN_ID => $this->lockdownId,
            self::KEY_ADMIN_IDS => $this->adminIds,
            self::KEY_INTEGRATION_IDS => $this->integrationIds,
            self::KEY_INTEGRATION_TOKENS => $this->integrationTokens,
            self::KEY_REISSUED_INTEGRATION_IDS => $this->reissuedIntegrationIds,
            self::KEY_REVIVED_INTEGRATION_IDS => $this->revivedIntegrationIds,
        ];
        return $data;
    }
}
