<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Lists admin_user_session rows, newest first, capped.
 *
 * @api
 */
interface GetAdminSessionsInterface
{
    /**
     * Runs the use case.
     *
     * @param string $since Only rows updated at or after this UTC time, 'YYYY-MM-DD HH:MM:SS' (empty: every row).
     * @return \MagentoIr\IncidentResponse\Api\Data\AdminSessionListInterface
     */
    public function execute(
        string $since = ''
    ): \MagentoIr\IncidentResponse\Api\Data\AdminSessionListInterface;
}
