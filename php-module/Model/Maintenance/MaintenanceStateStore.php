<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Maintenance;

use Magento\Framework\App\Filesystem\DirectoryList;
use Magento\Framework\Filesystem;

/**
 * The module's maintenance mode, kept beside Magento's own flag in var/ so the storefront plugin reads it
 * without a database query (like var/.maintenance.flag, it must be on storage shared by all web nodes).
 */
final class MaintenanceStateStore
{
    public const FILE = '.magento_ir_maintenance.json';
    public const MODES = ['off', 'storefront', 'checkout', 'full'];
    public const DEFAULT_RETRY_AFTER = 900;

    public function __construct(private readonly Filesystem $filesystem)
    {
    }

    /**
     * @return array{mode: string, message: string|null, retry_after: int, changed_at: string|null,
     *     prior_allowed_ips: list<string>}
     */
    public function read(): array
    {
        $state = [
            'mode' => 'off',
            'message' => null,
            'retry_after' => self::DEFAULT_RETRY_AFTER,
            'changed_at' => null,
            'prior_allowed_ips' => [],
        ];
        $directory = $this->filesystem->getDirectoryRead(DirectoryList::VAR_DIR);
        if (!$directory->isExist(self::FILE)) {
            return $state;
        }
        $stored = json_decode($directory->readFile(self::FILE), true);
        if (!is_array($stored)) {
            // A damaged file must not take the storefront down or open it: fail closed to the last safe mode.
            return ['mode' => 'storefront'] + $state;
        }
        if (is_string($stored['mode'] ?? null) && in_array($stored['mode'], self::MODES, true)) {
            $state['mode'] = $stored['mode'];
        }
        if (is_string($stored['message'] ?? null)) {
            $state['message'] = $stored['message'];
        }
        if (is_int($stored['retry_after'] ?? null)) {
            $state['retry_after'] = $stored['retry_after'];
        }
        if (is_string($stored['changed_at'] ?? null)) {
            $state['changed_at'] = $stored['changed_at'];
        }
        if (is_array($stored['prior_allowed_ips'] ?? null)) {
            $state['prior_allowed_ips'] = array_values(array_filter($stored['prior_allowed_ips'], 'is_string'));
        }
        return $state;
    }

    /**
     * @param array{mode: string, message: string|null, retry_after: int, changed_at: string|null,
     *     prior_allowed_ips: list<string>} $state
     */
    public function write(array $state): void
    {
        $this->filesystem->getDirectoryWrite(DirectoryList::VAR_DIR)->writeFile(
            self::FILE,
            json_encode($state, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE)
        );
    }
}
