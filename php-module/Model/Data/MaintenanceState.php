<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\MaintenanceStateInterface;

/**
 * The store's maintenance state as the module sees it.
 */
final class MaintenanceState implements MaintenanceStateInterface
{
    /**
     * @param string[] $allowedIps
     */
    public function __construct(
        private readonly string $mode,
        private readonly int $retryAfter,
        private readonly array $allowedIps,
        private readonly bool $magentoFlag,
        private readonly ?string $message = null,
        private readonly ?string $changedAt = null
    ) {
    }

    /**
     * @return string
     */
    public function getMode(): string
    {
        return $this->mode;
    }

    /**
     * @return string|null
     */
    public function getMessage(): ?string
    {
        return $this->message;
    }

    /**
     * @return int
     */
    public function getRetryAfter(): int
    {
        return $this->retryAfter;
    }

    /**
     * @return string[]
     */
    public function getAllowedIps(): array
    {
        return $this->allowedIps;
    }

    /**
     * @return bool
     */
    public function isMagentoFlag(): bool
    {
        return $this->magentoFlag;
    }

    /**
     * @return string|null
     */
    public function getChangedAt(): ?string
    {
        return $this->changedAt;
    }

    /**
     * Rebuilds the object from toArray() output (stored idempotent responses).
     *
     * @param array<string, mixed> $data
     */
    public static function fromArray(array $data): self
    {
        return new self(
            mode: (string) $data[self::KEY_MODE],
            retryAfter: (int) $data[self::KEY_RETRY_AFTER],
            allowedIps: array_map('strval', $data[self::KEY_ALLOWED_IPS]),
            magentoFlag: (bool) $data[self::KEY_MAGENTO_FLAG],
            message: isset($data[self::KEY_MESSAGE]) ? (string) $data[self::KEY_MESSAGE] : null,
            changedAt: isset($data[self::KEY_CHANGED_AT]) ? (string) $data[self::KEY_CHANGED_AT] : null
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
            self::KEY_MODE => $this->mode,
            self::KEY_RETRY_AFTER => $this->retryAfter,
            self::KEY_ALLOWED_IPS => $this->allowedIps,
            self::KEY_MAGENTO_FLAG => $this->magentoFlag,
        ];
        if ($this->message !== null) {
            $data[self::KEY_MESSAGE] = $this->message;
        }
        if ($this->changedAt !== null) {
            $data[self::KEY_CHANGED_AT] = $this->changedAt;
        }
        return $data;
    }
}
