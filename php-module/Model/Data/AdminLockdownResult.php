<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\AdminLockdownResultInterface;

/**
 * Outcome of an admin lockdown.
 */
final class AdminLockdownResult implements AdminLockdownResultInterface
{
    /**
     * @param int[] $adminIds
     * @param int[] $keptAdminIds
     * @param int[] $integrationIds
     * @param int[] $keptIntegrationIds
     */
    public function __construct(
        private readonly int $actionId,
        private readonly bool $replayed,
        private readonly string $mode,
        private readonly array $adminIds,
        private readonly array $keptAdminIds,
        private readonly array $integrationIds,
        private readonly array $keptIntegrationIds,
        private readonly int $adminSessionsEnded,
        private readonly int $adminTokensRevoked,
        private readonly ?int $lockdownId = null
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
     * @return int|null
     */
    public function getLockdownId(): ?int
    {
        return $this->lockdownId;
    }

    /**
     * @return string
     */
    public function getMode(): string
    {
        return $this->mode;
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
    public function getKeptAdminIds(): array
    {
        return $this->keptAdminIds;
    }

    /**
     * @return int[]
     */
    public function getIntegrationIds(): array
    {
        return $this->integrationIds;
    }

    /**
     * @return int[]
     */
    public function getKeptIntegrationIds(): array
    {
        return $this->keptIntegrationIds;
    }

    /**
     * @return int
     */
    public function getAdminSessionsEnded(): int
    {
        return $this->adminSessionsEnded;
    }

    /**
     * @return int
     */
    public function getAdminTokensRevoked(): int
    {
        return $this->adminTokensRevoked;
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
            mode: (string) $data[self::KEY_MODE],
            adminIds: array_map('intval', $data[self::KEY_ADMIN_IDS]),
            keptAdminIds: array_map('intval', $data[self::KEY_KEPT_ADMIN_IDS]),
            integrationIds: array_map('intval', $data[self::KEY_INTEGRATION_IDS]),
            keptIntegrationIds: array_map('intval', $data[self::KEY_KEPT_INTEGRATION_IDS]),
            adminSessionsEnded: (int) $data[self::KEY_ADMIN_SESSIONS_ENDED],
            adminTokensRevoked: (int) $data[self::KEY_ADMIN_TOKENS_REVOKED],
            lockdownId: isset($data[self::KEY_LOCKDOWN_ID]) ? (int) $data[self::KEY_LOCKDOWN_ID] : null
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
            self::KEY_MODE => $this->mode,
            self::KEY_ADMIN_IDS => $this->adminIds,
            self::KEY_KEPT_ADMIN_IDS => $this->keptAdminIds,
            self::KEY_INTEGRATION_IDS => $this->integrationIds,
            self::KEY_KEPT_INTEGRATION_IDS => $this->keptIntegrationIds,
            self::KEY_ADMIN_SESSIONS_ENDED => $this->adminSessionsEnded,
            self::KEY_ADMIN_TOKENS_REVOKED => $this->adminTokensRevoked,
        ];
        if ($this->lockdownId !== null) {
            $data[self::KEY_LOCKDOWN_ID] = $this->lockdownId;
        }
        return $data;
    }
}
