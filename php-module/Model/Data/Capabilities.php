<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\CapabilitiesInterface;

/**
 * What the installed module offers; the SDK detects the module with it.
 */
final class Capabilities implements CapabilitiesInterface
{
    /**
     * @param string[] $actions
     */
    public function __construct(
        private readonly string $moduleVersion,
        private readonly string $magentoVersion,
        private readonly array $actions,
        private readonly string $sessionStorage,
        private readonly string $maintenanceMode
    ) {
    }

    /**
     * @return string
     */
    public function getModuleVersion(): string
    {
        return $this->moduleVersion;
    }

    /**
     * @return string
     */
    public function getMagentoVersion(): string
    {
        return $this->magentoVersion;
    }

    /**
     * @return string[]
     */
    public function getActions(): array
    {
        return $this->actions;
    }

    /**
     * @return string
     */
    public function getSessionStorage(): string
    {
        return $this->sessionStorage;
    }

    /**
     * @return string
     */
    public function getMaintenanceMode(): string
    {
        return $this->maintenanceMode;
    }

    /**
     * Rebuilds the object from toArray() output (stored idempotent responses).
     *
     * @param array<string, mixed> $data
     */
    public static function fromArray(array $data): self
    {
        return new self(
            moduleVersion: (string) $data[self::KEY_MODULE_VERSION],
            magentoVersion: (string) $data[self::KEY_MAGENTO_VERSION],
            actions: array_map('strval', $data[self::KEY_ACTIONS]),
            sessionStorage: (string) $data[self::KEY_SESSION_STORAGE],
            maintenanceMode: (string) $data[self::KEY_MAINTENANCE_MODE]
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
            self::KEY_MODULE_VERSION => $this->moduleVersion,
            self::KEY_MAGENTO_VERSION => $this->magentoVersion,
            self::KEY_ACTIONS => $this->actions,
            self::KEY_SESSION_STORAGE => $this->sessionStorage,
            self::KEY_MAINTENANCE_MODE => $this->maintenanceMode,
        ];
        return $data;
    }
}
