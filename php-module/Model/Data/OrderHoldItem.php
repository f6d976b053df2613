<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\OrderHoldItemInterface;

/**
 * What a bulk hold or unhold did to one order.
 */
final class OrderHoldItem implements OrderHoldItemInterface
{
    public function __construct(
        private readonly int $orderId,
        private readonly string $result,
        private readonly ?string $incrementId = null,
        private readonly ?string $priorState = null,
        private readonly ?string $priorStatus = null,
        private readonly ?string $message = null
    ) {
    }

    /**
     * @return int
     */
    public function getOrderId(): int
    {
        return $this->orderId;
    }

    /**
     * @return string|null
     */
    public function getIncrementId(): ?string
    {
        return $this->incrementId;
    }

    /**
     * @return string
     */
    public function getResult(): string
    {
        return $this->result;
    }

    /**
     * @return string|null
     */
    public function getPriorState(): ?string
    {
        return $this->priorState;
    }

    /**
     * @return string|null
     */
    public function getPriorStatus(): ?string
    {
        return $this->priorStatus;
    }

    /**
     * @return string|null
     */
    public function getMessage(): ?string
    {
        return $this->message;
    }

    /**
     * Rebuilds the object from toArray() output (stored idempotent responses).
     *
     * @param array<string, mixed> $data
     */
    public static function fromArray(array $data): self
    {
        $text = static fn (string $key): ?string => isset($data[$key]) ? (string) $data[$key] : null;
        return new self(
            orderId: (int) $data[self::KEY_ORDER_ID],
            result: (string) $data[self::KEY_RESULT],
            incrementId: $text(self::KEY_INCREMENT_ID),
            priorState: $text(self::KEY_PRIOR_STATE),
            priorStatus: $text(self::KEY_PRIOR_STATUS),
            message: $text(self::KEY_MESSAGE)
        );
    }

    /**
     * The REST wire shape: snake_case keys, null values omitted.
     *
     * @return array<string, mixed>
     */
    public function toArray(): array
    {
        return array_filter([
            self::KEY_ORDER_ID => $this->orderId,
            self::KEY_INCREMENT_ID => $this->incrementId,
            self::KEY_RESULT => $this->result,
            self::KEY_PRIOR_STATE => $this->priorState,
            self::KEY_PRIOR_STATUS => $this->priorStatus,
            self::KEY_MESSAGE => $this->message,
        ], static fn ($value): bool => $value !== null);
    }
}
