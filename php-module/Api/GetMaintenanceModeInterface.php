<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Reports the current maintenance state.
 *
 * @api
 */
interface GetMaintenanceModeInterface
{
    /**
     * Runs the use case.
     * @return \MagentoIr\IncidentResponse\Api\Data\MaintenanceStateInterface
     */
    public function execute(): \MagentoIr\IncidentResponse\Api\Data\MaintenanceStateInterface;
}
