<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\StoreStatusInterface;

/**
 * A product status value at one store scope.
 */
final class StoreStatus implements StoreStatusInterface
{
    public function __construct(
        private readonly int $storeId,
        private readonly int $status
    ) {
    }

    /**
     * @return int
     */
    public function getStoreId(): int
    {
        return $this->storeId;
    }

    /**
     * @return int
     */
    public function getStatus(): int
    {
        return $this->status;
    }

    /**
     * Rebuilds the object from toArray() output (stored idempotent responses).
     *
     * @param array<string, mixed> $data
     */
    public static function fromArray(array $data): self
    {
        return new self(
            storeId: (int) $data[self::KEY_STORE_ID],
            status: (int) $data[self::KEY_STATUS]
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
            self::KEY_STORE_ID => $this->storeId,
            self::KEY_STATUS => $this->status,
        ];
        return $data;
    }
}
