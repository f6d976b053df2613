<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Lists every admin user with its role, without password hashes or reset tokens.
 *
 * @api
 */
interface GetAdminsInterface
{
    /**
     * Runs the use case.
     *
     * @return \MagentoIr\IncidentResponse\Api\Data\AdminUserListInterface
     */
    public function execute(): \MagentoIr\IncidentResponse\Api\Data\AdminUserListInterface;
}
