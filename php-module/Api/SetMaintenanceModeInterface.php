<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Switches the store to off, storefront, checkout or full maintenance.
 *
 * storefront and checkout keep admin, REST and GraphQL reachable; full uses Magento's maintenance flag
 * with the caller's IP always allowed.
 *
 * @api
 */
interface SetMaintenanceModeInterface
{
    /**
     * Runs the use case.
     *
     * @param string $mode off, storefront, checkout or full.
     * @param string $reason Why the responder acts; stored in the action log (1-255 characters).
     * @param string|null $incidentId Incident identifier stored in the action log.
     * @param string|null $message Plain text for the 503 page (escaped, up to 1000 characters).
     * @param int $retryAfter Retry-After seconds (60-86400).
     * @param string[] $allowIps Extra IP addresses allowed through in mode full.
     * @return \MagentoIr\IncidentResponse\Api\Data\MaintenanceChangeResultInterface
     * @throws \Magento\Framework\Exception\InputException
     * @throws \Magento\Framework\Exception\CouldNotSaveException
     */
    public function execute(
        string $mode,
        string $reason,
        ?string $incidentId = null,
        ?string $message = null,
        int $retryAfter = 900,
        array $allowIps = []
    ): \MagentoIr\IncidentResponse\Api\Data\MaintenanceChangeResultInterface;
}
