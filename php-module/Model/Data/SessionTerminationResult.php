<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\SessionTerminationResultInterface;

/**
 * Counts of what a session termination revoked and ended.
 */
final class SessionTerminationResult implements SessionTerminationResultInterface
{
    public function __construct(
        private readonly int $actionId,
        private readonly bool $replayed,
        private readonly string $scope,
        private readonly int $customerTokensRevoked,
        private readonly int $adminTokensRevoked,
        private readonly int $adminSessionsEnded,
        private readonly int $customerSessionsCutOff,
        private readonly int $sessionRowsDeleted,
        private readonly int $persistentSessionsDeleted,
        private readonly bool $callerKept
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
     * @return string
     */
    public function getScope(): string
    {
        return $this->scope;
    }

    /**
     * @return int
     */
    public function getCustomerTokensRevoked(): int
    {
        return $this->customerTokensRevoked;
    }

    /**
     * @return int
     */
    public function getAdminTokensRevoked(): int
    {
        return $this->adminTokensRevoked;
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
    public function getCustomerSessionsCutOff(): int
    {
        return $this->customerSessionsCutOff;
    }

    /**
     * @return int
     */
    public function getSessionRowsDeleted(): int
    {
        return $this->sessionRowsDeleted;
    }

    /**
     * @return int
     */
    public function getPersistentSessionsDeleted(): int
    {
        return $this->persistentSessionsDeleted;
    }

    /**
     * @return bool
     */
    public function isCallerKept(): bool
    {
        return $this->callerKept;
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
            scope: (string) $data[self::KEY_SCOPE],
            customerTokensRevoked: (int) $data[self::KEY_CUSTOMER_TOKENS_REVOKED],
            adminTokensRevoked: (int) $data[self::KEY_ADMIN_TOKENS_REVOKED],
            adminSessionsEnded: (int) $data[self::KEY_ADMIN_SESSIONS_ENDED],
            customerSessionsCutOff: (int) $data[self::KEY_CUSTOMER_SESSIONS_CUT_OFF],
            sessionRowsDeleted: (int) $data[self::KEY_SESSION_ROWS_DELETED],
            persistentSessionsDeleted: (int) $data[self::KEY_PERSISTENT_SESSIONS_DELETED],
            callerKept: (bool) $data[self::KEY_CALLER_KEPT]
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
            self::KEY_SCOPE => $this->scope,
            self::KEY_CUSTOMER_TOKENS_REVOKED => $this->customerTokensRevoked,
            self::KEY_ADMIN_TOKENS_REVOKED => $this->adminTokensRevoked,
            self::KEY_ADMIN_SESSIONS_ENDED => $this->adminSessionsEnded,
            self::KEY_CUSTOMER_SESSIONS_CUT_OFF => $this->customerSessionsCutOff,
            self::KEY_SESSION_ROWS_DELETED => $this->sessionRowsDeleted,
            self::KEY_PERSISTENT_SESSIONS_DELETED => $this->persistentSessionsDeleted,
            self::KEY_CALLER_KEPT => $this->callerKept,
        ];
        return $data;
    }
}
