<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\PasswordResetResultInterface;

/**
 * Counts of a forced customer password reset.
 */
final class PasswordResetResult implements PasswordResetResultInterface
{
    /**
     * @param int[] $unknownCustomerIds
     * @param int[] $emailsFailed
     */
    public function __construct(
        private readonly int $actionId,
        private readonly bool $replayed,
        private readonly int $customers,
        private readonly array $unknownCustomerIds,
        private readonly int $passwordsInvalidated,
        private readonly int $tokensRevoked,
        private readonly int $sessionsCutOff,
        private readonly int $persistentSessionsDeleted,
        private readonly int $emailsAttempted,
        private readonly array $emailsFailed
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
    public function getCustomers(): int
    {
        return $this->customers;
    }

    /**
     * @return int[]
     */
    public function getUnknownCustomerIds(): array
    {
        return $this->unknownCustomerIds;
    }

    /**
     * @return int
     */
    public function getPasswordsInvalidated(): int
    {
        return $this->passwordsInvalidated;
    }

    /**
     * @return int
     */
    public function getTokensRevoked(): int
    {
        return $this->tokensRevoked;
    }

    /**
     * @return int
     */
    public function getSessionsCutOff(): int
    {
        return $this->sessionsCutOff;
    }

    /**
     * @return int
     */
    public function getPersistentSessionsDeleted(): int
    {
        return $this->persistentSessionsDeleted;
    }

    /**
     * @return int
     */
    public function getEmailsAttempted(): int
    {
        return $this->emailsAttempted;
    }

    /**
     * @return int[]
     */
    public function getEmailsFailed(): array
    {
        return $this->emailsFailed;
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
            customers: (int) $data[self::KEY_CUSTOMERS],
            unknownCustomerIds: array_map('intval', $data[self::KEY_UNKNOWN_CUSTOMER_IDS]),
            passwordsInvalidated: (int) $data[self::KEY_PASSWORDS_INVALIDATED],
            tokensRevoked: (int) $data[self::KEY_TOKENS_REVOKED],
            sessionsCutOff: (int) $data[self::KEY_SESSIONS_CUT_OFF],
            persistentSessionsDeleted: (int) $data[self::KEY_PERSISTENT_SESSIONS_DELETED],
            emailsAttempted: (int) $data[self::KEY_EMAILS_ATTEMPTED],
            emailsFailed: array_map('intval', $data[self::KEY_EMAILS_FAILED])
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
            self::KEY_CUSTOMERS => $this->customers,
            self::KEY_UNKNOWN_CUSTOMER_IDS => $this->unknownCustomerIds,
            self::KEY_PASSWORDS_INVALIDATED => $this->passwordsInvalidated,
            self::KEY_TOKENS_REVOKED => $this->tokensRevoked,
            self::KEY_SESSIONS_CUT_OFF => $this->sessionsCutOff,
            self::KEY_PERSISTENT_SESSIONS_DELETED => $this->persistentSessionsDeleted,
            self::KEY_EMAILS_ATTEMPTED => $this->emailsAttempted,
            self::KEY_EMAILS_FAILED => $this->emailsFailed,
        ];
        return $data;
    }
}
